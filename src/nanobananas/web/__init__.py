"""The browser pages: Home, AI Image, AI Video, AI Tools and Me."""
