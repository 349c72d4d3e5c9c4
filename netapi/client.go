package netapi

import (
	"errors"
	"sync"
	"time"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/supervisor"
)

// ClientOptions configure a [Client]: where it connects (with TLS when TLS is set), how it
// backs off between attempts, and what a Write does while the connection is down.
type ClientOptions struct {
	ConnectOptions
	TLS *TLSOptions
	// Retry bounds the attempts: at most MaxRestarts within Window (a connection that was up
	// counts as one), each after an exponential backoff between MinBackoff and MaxBackoff.
	// Past it the client gives up: 'down' with ErrClientGaveUp, then 'close'.
	Retry supervisor.Budget
	// Jitter spreads each backoff by up to this fraction either way, so that clients that
	// lost the same server do not come back all at once. 0 means 0.2; negative, none.
	Jitter float64
	// FailWhileDown makes a Write while the connection is down fail at once (its callback
	// gets ErrNotConnected). By default it waits, in order, for the next connection; Write
	// returns false once HighWaterMark bytes wait, and 'drain' follows once they were
	// handed over, as for a socket.
	FailWhileDown bool
}

var (
	// ErrNotConnected: a Client's Write while its connection is down, with FailWhileDown.
	ErrNotConnected = errors.New("netapi: not connected")
	// ErrClientGaveUp: a Client spent its retry budget.
	ErrClientGaveUp = errors.New("netapi: client gave up reconnecting")
	// ErrClientClosed: a Client's Write after Close, or a write that waited when it closed.
	ErrClientClosed = errors.New("netapi: client is closed")
)

// Client is a connection that comes back: it connects, and whenever the connection is lost
// (the server went away, restarted, reset it), it connects again after a backoff, within a
// retry budget. Its listeners hear 'up' when a connection is established (after the TLS
// handshake with TLS), 'down' with the error when it is lost or an attempt failed, 'data'
// from whichever connection is up, and 'close' once it stopped for good. None of the
// anchors (Node, Akka IO, Erlang's gen_tcp) ships one; every service writes its own.
//
// A Client is safe for concurrent use. Its callbacks run on its loop, one at a time.
type Client struct {
	rt   *Runtime
	loop *actors.Loop // where its callbacks, and its connections' sockets, run
	opts ClientOptions
	hwm  int

	mu        sync.Mutex // guards what follows; never held while a callback runs
	sock      *Socket    // the connection being made or up; nil while waiting to retry
	up        bool
	closed    bool
	queue     []clientWrite // writes made while down, for the next connection
	queued    int
	needDrain bool
	done      bool // 'close' was emitted
	retries   supervisor.Retries
	timer     *Timer
	downErr   error     // why the last 'down', while waiting to retry; nil otherwise
	retryAt   time.Time // when that retry is due
	ls        struct {
		up, drain, close []func()
		down             []func(err error, retryIn time.Duration)
		data             []func([]byte)
	}
}

type clientWrite struct {
	data []byte
	cb   func(error)
}

// NewClient makes a Client and starts connecting.
func (rt *Runtime) NewClient(opts ClientOptions) *Client {
	c := &Client{rt: rt, opts: opts, hwm: opts.HighWaterMark}
	if c.hwm <= 0 {
		c.hwm = 16 << 10
	}
	c.retries = supervisor.Retries{Budget: opts.Retry, Jitter: opts.Jitter}
	if c.retries.Jitter == 0 {
		c.retries.Jitter = 0.2
	}
	c.loop = c.rt.loopForNew()
	c.rt.mu.Lock()
	c.rt.clients[c] = struct{}{}
	c.rt.mu.Unlock()
	c.rt.post(c.loop, c.connect) // on the client's loop: its sockets join it
	return c
}

// OnUp adds an 'up' listener: a connection is established. Added while one is up, it is
// also called for that one (soon after, on the client's loop): a client made outside a
// loop may connect before its listeners are in place.
func (c *Client) OnUp(fn func()) {
	c.mu.Lock()
	c.ls.up = append(c.ls.up, fn)
	up := c.up
	c.mu.Unlock()
	if up {
		c.rt.post(c.loop, fn)
	}
}

// OnDown adds a 'down' listener: the connection was lost, or an attempt failed, with why;
// retryIn is the wait before the next attempt (negative when there is none: the client gave
// up, and 'close' follows). Close, and the runtime's Shutdown, end a client with 'close'
// alone. Added while the client is down waiting to retry, it is called at once (on the
// client's loop) with that 'down', retryIn being the time left: a client made outside a loop
// can be down before the next line adds the listener.
func (c *Client) OnDown(fn func(err error, retryIn time.Duration)) {
	c.mu.Lock()
	c.ls.down = append(c.ls.down, fn)
	waiting := c.sock == nil && !c.closed && c.downErr != nil
	err, at := c.downErr, c.retryAt
	c.mu.Unlock()
	if waiting {
		c.rt.post(c.loop, func() { fn(err, max(0, time.Until(at))) })
	}
}

// OnData adds a 'data' listener, for the data of every connection.
func (c *Client) OnData(fn func([]byte)) { c.add(func() { c.ls.data = append(c.ls.data, fn) }) }

// OnDrain adds a 'drain' listener: a Write returned false, and what waited was handed over.
func (c *Client) OnDrain(fn func()) { c.add(func() { c.ls.drain = append(c.ls.drain, fn) }) }

// OnClose adds a 'close' listener: the client stopped (Close, or it gave up). Added once it
// stopped, it is called at once (on the client's loop).
func (c *Client) OnClose(fn func()) {
	c.mu.Lock()
	done := c.done
	if !done {
		c.ls.close = append(c.ls.close, fn)
	}
	c.mu.Unlock()
	if done {
		c.rt.post(c.loop, fn)
	}
}

func (c *Client) add(fn func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn()
}

// Write sends data on the connection that is up, or, while it is down, keeps it for the
// next one (or fails it with ErrNotConnected, with FailWhileDown). It returns Node's
// backpressure answer: false once HighWaterMark bytes wait. onFlushed, if not nil, runs
// once: with nil when the kernel took the data, with the error otherwise.
func (c *Client) Write(data []byte, onFlushed func(err error)) bool {
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		c.settle(onFlushed, ErrClientClosed)
		return false
	case c.up:
		// Under c.mu: a 'drain' this false owes is heard after it is recorded (see drainedOn),
		// and no Write overtakes what connected hands over.
		ok := c.sock.Write(data, onFlushed)
		c.needDrain = c.needDrain || !ok
		c.mu.Unlock()
		return ok
	case c.opts.FailWhileDown:
		c.mu.Unlock()
		c.settle(onFlushed, ErrNotConnected)
		return false
	}
	// A copy: data may lie in another socket's lent read buffer (ReuseReadBuffer), read into
	// again once its listeners returned, long before the next connection takes this.
	c.queue = append(c.queue, clientWrite{append([]byte(nil), data...), onFlushed})
	c.queued += len(data)
	ok := c.queued < c.hwm
	c.needDrain = c.needDrain || !ok
	c.mu.Unlock()
	return ok
}

// Close stops the client: the connection that is up ends gracefully, no attempt follows,
// writes that wait fail with ErrClientClosed; 'close' follows.
func (c *Client) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	s, t := c.sock, c.timer
	dropped := c.takeQueueLocked()
	c.mu.Unlock()
	for _, w := range dropped {
		c.settle(w.cb, ErrClientClosed)
	}
	if t != nil {
		t.Stop()
	}
	if s != nil {
		s.End(nil, nil) // 'close' follows the socket's
		return
	}
	c.rt.post(c.loop, c.closeNow)
}

// Socket is the connection that is up, nil while down.
func (c *Client) Socket() *Socket {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.up {
		return nil
	}
	return c.sock
}

func (c *Client) settle(cb func(error), err error) {
	if cb != nil {
		c.rt.post(c.loop, func() { cb(err) })
	}
}

func (c *Client) takeQueueLocked() []clientWrite {
	q := c.queue
	c.queue, c.queued = nil, 0
	return q
}

// connect makes the next connection; it runs on the client's loop.
func (c *Client) connect() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	var s *Socket
	var lastErr error
	onUp := func() { c.connected(s) }
	if c.opts.TLS != nil {
		s = c.rt.ConnectTLS(TLSConnectOptions{ConnectOptions: c.opts.ConnectOptions, TLSOptions: *c.opts.TLS}, onUp)
	} else {
		s = c.rt.Connect(c.opts.ConnectOptions, onUp)
	}
	c.sock, c.downErr = s, nil
	c.mu.Unlock()
	s.OnData(func(b []byte) {
		c.mu.Lock()
		fns := c.ls.data
		c.mu.Unlock()
		for _, fn := range fns {
			fn(b)
		}
	})
	s.OnDrain(func() { c.drainedOn(s) })
	s.OnError(func(err error) { lastErr = err })
	s.OnClose(func(bool) { c.lost(s, lastErr) })
}

// connected runs when s is up: what waited goes out first, in order, handed over under c.mu
// so that a Write from another goroutine comes after it. A 'drain' owed from before (a Write
// that returned false, while down or on a connection since lost) comes now, unless the
// handed-over writes fill the new connection: then its own 'drain' pays it.
func (c *Client) connected(s *Socket) {
	c.mu.Lock()
	if c.sock != s || c.closed {
		c.mu.Unlock()
		return
	}
	c.up = true
	c.retries.Succeeded()
	ok := true
	for _, w := range c.takeQueueLocked() {
		ok = s.Write(w.data, w.cb)
	}
	var drains []func()
	if c.needDrain && ok {
		c.needDrain, drains = false, c.ls.drain
	}
	c.needDrain = c.needDrain || !ok
	ups := c.ls.up
	c.mu.Unlock()
	for _, fn := range drains {
		fn()
	}
	for _, fn := range ups {
		fn()
	}
}

// drainedOn runs at s's 'drain': the client's own follows when one is owed.
func (c *Client) drainedOn(s *Socket) {
	c.mu.Lock()
	if c.sock != s || !c.needDrain {
		c.mu.Unlock()
		return
	}
	c.needDrain = false
	fns := c.ls.drain
	c.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// lost runs when s closed: the client retries after a backoff, gives up, or was closed.
func (c *Client) lost(s *Socket, err error) {
	c.mu.Lock()
	if c.sock != s {
		c.mu.Unlock()
		return
	}
	c.sock, c.up = nil, false
	if err == nil {
		err = ErrNotConnected // the server ended the connection
	}
	if c.closed {
		c.mu.Unlock()
		c.closeNow()
		return
	}
	if c.rt.isClosed() { // Shutdown ended it: no attempt can follow
		c.closed = true
		dropped := c.takeQueueLocked()
		c.mu.Unlock()
		for _, w := range dropped {
			c.settle(w.cb, ErrClientClosed)
		}
		c.closeNow()
		return
	}
	retryIn := c.retries.Next()
	var dropped []clientWrite
	if retryIn < 0 {
		c.closed = true
		err = errors.Join(ErrClientGaveUp, err)
		dropped = c.takeQueueLocked()
	} else {
		c.timer = c.rt.AfterFunc(retryIn, c.connect)
		c.downErr, c.retryAt = err, time.Now().Add(retryIn)
	}
	downs := c.ls.down
	c.mu.Unlock()
	for _, w := range dropped {
		c.settle(w.cb, err)
	}
	for _, fn := range downs {
		fn(err, retryIn)
	}
	if retryIn < 0 {
		c.closeNow()
	}
}

// shutdown ends a client at the runtime's Shutdown: one that is down, waiting for its next
// attempt, closes now; one that is up closes with its connection (see lost).
func (c *Client) shutdown() {
	c.mu.Lock()
	if c.closed || c.sock != nil {
		c.mu.Unlock()
		return
	}
	c.closed = true
	dropped := c.takeQueueLocked()
	c.mu.Unlock()
	for _, w := range dropped {
		c.settle(w.cb, ErrClientClosed)
	}
	c.rt.post(c.loop, c.closeNow)
}

func (c *Client) closeNow() {
	c.rt.mu.Lock()
	delete(c.rt.clients, c)
	c.rt.mu.Unlock()
	c.mu.Lock()
	fns := c.ls.close
	c.ls.close, c.done = nil, true // once
	c.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
