"""Writes of the influencers app. Each service runs in a transaction and is the only way
its rows change (views, tasks and commands call services; they never save models)."""
