"""The inbox's own processing: take queued events, normalise, store, acknowledge."""
