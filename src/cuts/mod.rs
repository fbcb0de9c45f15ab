//! Cutting planes for ReLU models: ideal (Anderson et al.) and partition-based (Tsay et al.) cuts.
