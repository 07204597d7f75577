"""Firebase: Cloud Storage for clips and keyframes, Firestore for scripts and scene status."""
