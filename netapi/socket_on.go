package netapi

// The On methods add a listener for one event; several listeners of an event run in the order
// they were added. A nil listener is ignored.

// OnConnect adds a listener for 'connect': the connection is established.
func (s *Socket) OnConnect(fn func()) {
	s.add(fn != nil, func() { s.ls.others().connect.add(fn, false) })
}

// OnDrain adds a listener for 'drain': a Write returned false and the queue is empty again.
func (s *Socket) OnDrain(fn func()) { s.add(fn != nil, func() { s.ls.drain.add(fn, false) }) }

// OnEnd adds a listener for 'end': the peer ended its side, after all its data.
func (s *Socket) OnEnd(fn func()) { s.add(fn != nil, func() { s.ls.others().end.add(fn, false) }) }

// OnFinish adds a listener for 'finish': End flushed everything and our FIN is sent.
func (s *Socket) OnFinish(fn func()) {
	s.add(fn != nil, func() { s.ls.others().finish.add(fn, false) })
}

// OnTimeout adds a listener for 'timeout': the socket was idle for the SetTimeout duration.
func (s *Socket) OnTimeout(fn func()) {
	s.add(fn != nil, func() { s.ls.others().timeout.add(fn, false) })
}

// OnClose adds a listener for 'close', the socket's last event; hadError says whether an
// 'error' came before it. Added to a socket that has closed already, it runs soon with that
// close's hadError, so that a listener added right after Connect never misses a quick close.
func (s *Socket) OnClose(fn func(hadError bool)) {
	if fn == nil {
		return
	}
	s.mu.Lock()
	s.ls.close.add(fn, false)
	closed := s.closed
	s.mu.Unlock()
	if closed != nil {
		hadError := *closed
		s.rt.post(s.loop, func() { fn(hadError) })
	}
}

// OnLookup adds a listener for 'lookup': a host name was resolved (err nil) or not.
func (s *Socket) OnLookup(fn func(err error, address, family string)) {
	s.add(fn != nil, func() { s.ls.others().lookup.add(fn, false) })
}

// OnData adds a listener for 'data'. The slice is the listener's to keep. Adding the first
// one starts the flow of data unless Pause was called: data that arrived before waits for it.
func (s *Socket) OnData(fn func(data []byte)) {
	if fn == nil {
		return
	}
	s.mu.Lock()
	s.ls.data.add(fn, false)
	first := s.ls.data.len() == 1
	s.mu.Unlock()
	if first {
		s.command(flow)
	}
}

// OnError adds a listener for 'error'; 'close' with hadError true follows it. An error that
// comes while the socket has no error listener is reported through the runtime's logger
// (see WithLogger) instead: add error listeners before Connect, or in the callback that
// made the socket, to hear every error.
func (s *Socket) OnError(fn func(err error)) {
	s.add(fn != nil, func() { s.ls.err.add(fn, false) })
}

func (s *Socket) add(ok bool, fn func()) {
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}
