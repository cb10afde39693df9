"""Content review: automated checks on prompts and images, the staff review queue, and evidence."""
