"""Operating a render box: doctor, effective settings, logs."""
