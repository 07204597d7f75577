"""Scripts: loading and checking files and Firestore documents, naming them, editing them in place, and their fingerprints."""
