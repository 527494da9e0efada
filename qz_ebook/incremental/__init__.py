"""Speed machinery: the cache store, render cache, fingerprints, sharing, file stamps."""
