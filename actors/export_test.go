package actors

// WriteCalls is how many write(2) and writev(2) calls o's socket has made.
func WriteCalls(o *Outbox) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.w == nil {
		return 0
	}
	return o.w.calls
}

// MaxLinger is how long a reader lingers at most (see linger).
const MaxLinger = maxLinger
