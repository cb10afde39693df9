"""Conversations, messages, assets and the generation jobs that connect them."""
