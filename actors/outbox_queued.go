package actors

// Queued is the number of bytes queued and not yet handed to the kernel, as Buffered, but
// without handing the writes gathered in a turn over first: for an observer (a metrics
// callback) that must not change when writes go out.
func (o *Outbox) Queued() int { return o.queuedNow() }
