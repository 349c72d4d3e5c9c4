package actors

// Parks is how many times a reader has parked its descriptor with the poller.
func Parks() uint64 {
	idleReaders.mu.Lock()
	defer idleReaders.mu.Unlock()
	return idleReaders.parks
}
