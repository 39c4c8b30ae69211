"""Daily delivery: plan what is owed into the outbox, then send it through each platform's port."""
