package actors

import "github.com/actornet/actornet/messages"

// What an observer reads of a socket or a server beyond what the actors use themselves: the
// exact states Inspect reports, and the queue a metrics callback reads.

// Queued is the number of bytes queued and not yet handed to the kernel, as Buffered, but
// without handing the writes gathered in a turn over first: for an observer (a metrics
// callback) that must not change when writes go out.
func (o *Outbox) Queued() int { return o.queuedNow() }

// drainOwed reports whether a Write returned false and DrainEvent has not come yet.
func (o *Outbox) drainOwed() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.needDrain && o.state == writeOpen
}

// exactState fills in the flags of info that tell the socket's states apart: SocketInfo.State
// names one of them, these say each.
func (s *socket) exactState(info *messages.SocketInfo) {
	r := &s.rd
	info.Paused = r.flow == flowOff
	info.AwaitingConsumer = r.flow == flowNull
	info.BufferLent = r.lent != nil
	info.Held = r.held
	info.ReadEnded = r.state != readOpen
	info.Queued = s.out.Queued()
	info.Draining = s.out.drainOwed()
	info.WriteEnded = s.out.stateNow() != writeOpen
}

// serverStats is what a server counts for Inspect (messages.ServerInfo).
type serverStats struct {
	accepted, refused, restarts int64
}

func (st serverStats) fill(info *messages.ServerInfo) {
	info.Accepted, info.Refused, info.Restarts = st.accepted, st.refused, st.restarts
}
