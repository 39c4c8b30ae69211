"""The domain under the conversation and delivery: where each learner is, and what comes next."""
