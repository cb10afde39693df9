"""Versioned privacy policy and terms: published versions, notices to users, recorded acceptances."""
