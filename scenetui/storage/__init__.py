"""Where clips and metadata live, behind the ClipStore Protocol."""
