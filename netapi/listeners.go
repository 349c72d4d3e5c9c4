package netapi

// listeners is one event's listeners in the order they were added; a once listener is
// dropped after its first call (Node's once). Its owner's mutex guards it.
type listeners[F any] struct {
	entries []listener[F]
}

type listener[F any] struct {
	fn   F
	once bool
}

func (l *listeners[F]) add(fn F, once bool) {
	l.entries = append(l.entries, listener[F]{fn: fn, once: once})
}

// take returns the functions to call for one event, in order, and drops the once ones.
func (l *listeners[F]) take() []F { return l.takeInto(make([]F, 0, len(l.entries))) }

// takeInto is take appending to fns, for an event as frequent as 'data'.
func (l *listeners[F]) takeInto(fns []F) []F {
	kept := l.entries[:0]
	for _, e := range l.entries {
		fns = append(fns, e.fn)
		if !e.once {
			kept = append(kept, e)
		}
	}
	clear(l.entries[len(kept):])
	l.entries = kept
	return fns
}

// dropOnce removes the once listeners without calling them.
func (l *listeners[F]) dropOnce() {
	kept := l.entries[:0]
	for _, e := range l.entries {
		if !e.once {
			kept = append(kept, e)
		}
	}
	clear(l.entries[len(kept):])
	l.entries = kept
}

func (l *listeners[F]) len() int { return len(l.entries) }

func run(fns []func()) {
	for _, fn := range fns {
		fn()
	}
}
