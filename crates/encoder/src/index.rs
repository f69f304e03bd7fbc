pub struct SemanticIndex;
