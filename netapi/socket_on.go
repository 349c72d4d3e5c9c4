package netapi

import "github.com/actornet/actornet/actors"

// The On methods add a listener for one event; several listeners of an event run in the order
// they were added. A nil listener is ignored.

// OnConnect adds a listener for 'connect': the connection is established.
func (s *Socket) OnConnect(fn func()) {
	s.add(fn != nil, func() { s.ls.connect = append(s.ls.connect, fn) })
}

// OnDrain adds a listener for 'drain': a Write returned false and the queue is empty again.
func (s *Socket) OnDrain(fn func()) { s.add(fn != nil, func() { s.ls.drain = append(s.ls.drain, fn) }) }

// OnEnd adds a listener for 'end': the peer ended its side, after all its data.
func (s *Socket) OnEnd(fn func()) { s.add(fn != nil, func() { s.ls.end = append(s.ls.end, fn) }) }

// OnFinish adds a listener for 'finish': End flushed everything and our FIN is sent.
func (s *Socket) OnFinish(fn func()) {
	s.add(fn != nil, func() { s.ls.finish = append(s.ls.finish, fn) })
}

// OnTimeout adds a listener for 'timeout': the socket was idle for the SetTimeout duration.
func (s *Socket) OnTimeout(fn func()) {
	s.add(fn != nil, func() { s.ls.timeout = append(s.ls.timeout, fn) })
}

// OnClose adds a listener for 'close', the socket's last event; hadError says whether an
// 'error' came before it.
func (s *Socket) OnClose(fn func(hadError bool)) {
	s.add(fn != nil, func() { s.ls.close = append(s.ls.close, fn) })
}

// OnLookup adds a listener for 'lookup': a host name was resolved (err nil) or not.
func (s *Socket) OnLookup(fn func(err error, address, family string)) {
	s.add(fn != nil, func() { s.ls.lookup = append(s.ls.lookup, fn) })
}

// OnData adds a listener for 'data'. The slice is the listener's to keep. Adding the first
// one starts the flow of data unless Pause was called: data that arrived before waits for it.
func (s *Socket) OnData(fn func(data []byte)) {
	if fn == nil {
		return
	}
	s.mu.Lock()
	s.ls.data = append(s.ls.data, fn)
	nudge := false
	if s.flow == flowNull {
		s.flow = flowOn
		nudge = s.pauseSent || len(s.buffered) > 0
	}
	pid := s.pid
	s.mu.Unlock()
	if nudge {
		s.send(pid, &actors.Nudge{})
	}
}

// OnError adds a listener for 'error'; 'close' with hadError true follows it. An error that
// came while the socket had no error listener is kept and handed to the first one added.
func (s *Socket) OnError(fn func(err error)) {
	if fn == nil {
		return
	}
	s.mu.Lock()
	s.ls.err = append(s.ls.err, fn)
	err := s.pendingErr
	s.pendingErr = nil
	s.mu.Unlock()
	if err != nil {
		s.rt.deliverAsync(&s.cbMu, func() { fn(err) })
	}
}

func (s *Socket) add(ok bool, fn func()) {
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}
