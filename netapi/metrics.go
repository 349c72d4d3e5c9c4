package netapi

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// WithMeterProvider reports the runtime's sockets and servers through OpenTelemetry
// instruments made by mp (the OTel API only: the exporter is the caller's). Every instrument
// is asynchronous: its values are read when mp's reader collects, from state the sockets
// keep anyway, so nothing is counted on a read or a write; only an accepted connection
// (one atomic add) and an error (a map entry) are counted as they happen. Without this
// option nothing is counted at all.
//
//	actornet.sockets.open             {socket}  open sockets, by actornet.socket.kind (client, accepted)
//	actornet.servers.listening        {server}  servers listening
//	actornet.socket.read.bytes        By        bytes read, by every socket, closed ones included
//	actornet.socket.written.bytes     By        bytes given to Write (Node's bytesWritten), the same
//	actornet.socket.queued.bytes      By        bytes queued and not yet handed to the kernel
//	actornet.connections.accepted     {connection} connections accepted
//	actornet.errors                   {error}   'error' events of sockets and servers, by error.code (Code)
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(o *options) { o.meters = mp }
}

// metrics is a runtime's instruments and what they add up. Sockets join set when they get an
// actor and leave it once closed, their counts folded into closed, by their close or by a
// collection, whichever comes first. A fold excludes a collection (cmu), and a socket's own
// record of what it folded is under its mu: so every byte is reported once, and the counters
// never go back.
type metrics struct {
	reg      metric.Registration
	accepted atomic.Int64
	cmu      sync.RWMutex // a collection holds it, a socket's close folding its counts reads it

	mu      sync.Mutex // guards what follows; never held with a Socket's mu
	set     map[*Socket]struct{}
	closed  struct{ read, written int64 }
	errs    map[string]int64
	servers map[*Server]struct{}
}

// socketCounts is what a socket contributes to the byte counters beyond its current
// connection's own counts, under s.mu; nil until it has any.
type socketCounts struct {
	earlier struct{ read, written int64 } // of its connections before the current one
	folded  struct{ read, written int64 } // already moved into metrics.closed
}

func newMetrics(mp metric.MeterProvider) (*metrics, error) {
	m := &metrics{set: map[*Socket]struct{}{}, errs: map[string]int64{}, servers: map[*Server]struct{}{}}
	meter := mp.Meter("github.com/actornet/actornet/netapi")
	open, err1 := meter.Int64ObservableUpDownCounter("actornet.sockets.open", metric.WithUnit("{socket}"),
		metric.WithDescription("Open sockets, by kind (client, accepted)."))
	listening, err2 := meter.Int64ObservableUpDownCounter("actornet.servers.listening", metric.WithUnit("{server}"),
		metric.WithDescription("Servers listening."))
	read, err3 := meter.Int64ObservableCounter("actornet.socket.read.bytes", metric.WithUnit("By"),
		metric.WithDescription("Bytes read by every socket, closed ones included."))
	written, err4 := meter.Int64ObservableCounter("actornet.socket.written.bytes", metric.WithUnit("By"),
		metric.WithDescription("Bytes given to Write by every socket, closed ones included."))
	queued, err5 := meter.Int64ObservableUpDownCounter("actornet.socket.queued.bytes", metric.WithUnit("By"),
		metric.WithDescription("Bytes queued and not yet handed to the kernel."))
	accepted, err6 := meter.Int64ObservableCounter("actornet.connections.accepted", metric.WithUnit("{connection}"),
		metric.WithDescription("Connections accepted by the runtime's servers."))
	errs, err7 := meter.Int64ObservableCounter("actornet.errors", metric.WithUnit("{error}"),
		metric.WithDescription("'error' events of sockets and servers, by error.code."))
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7); err != nil {
		return nil, err
	}
	kindClient := metric.WithAttributes(attribute.String("actornet.socket.kind", "client"))
	kindAccepted := metric.WithAttributes(attribute.String("actornet.socket.kind", "accepted"))
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		c := m.collect()
		o.ObserveInt64(open, c.clients, kindClient)
		o.ObserveInt64(open, c.acceptedOpen, kindAccepted)
		o.ObserveInt64(listening, c.listening)
		o.ObserveInt64(read, c.read)
		o.ObserveInt64(written, c.written)
		o.ObserveInt64(queued, c.queued)
		o.ObserveInt64(accepted, m.accepted.Load())
		for code, n := range c.errs {
			o.ObserveInt64(errs, n, metric.WithAttributes(attribute.String("error.code", code)))
		}
		return nil
	}, open, listening, read, written, queued, accepted, errs)
	if err != nil {
		return nil, err
	}
	m.reg = reg
	return m, nil
}

type collected struct {
	clients, acceptedOpen, listening int64
	read, written, queued            int64
	errs                             map[string]int64
}

// collect reads every socket and server: each socket under its own lock, never with m.mu held.
func (m *metrics) collect() collected {
	m.cmu.Lock()
	defer m.cmu.Unlock()
	m.mu.Lock()
	socks := make([]*Socket, 0, len(m.set))
	for s := range m.set {
		socks = append(socks, s)
	}
	srvs := make([]*Server, 0, len(m.servers))
	for s := range m.servers {
		srvs = append(srvs, s)
	}
	m.mu.Unlock()

	var c collected
	var gone []*Socket
	var fold struct{ read, written int64 }
	for _, s := range socks {
		s.mu.Lock()
		switch {
		case s.state == socketClosed:
			// Counted for the last time: its bytes move to closed, and it leaves the set
			// (a Connect again puts it back, from what it has folded).
			read, written := s.foldLocked()
			fold.read += read
			fold.written += written
			gone = append(gone, s)
		default:
			read, written := s.unfoldedLocked()
			c.read += read
			c.written += written
			if s.out != nil {
				c.queued += int64(s.out.Queued())
			}
			if s.state == socketOpen || s.state == socketConnecting {
				if s.srv != nil {
					c.acceptedOpen++
				} else {
					c.clients++
				}
			}
		}
		s.mu.Unlock()
	}
	for _, srv := range srvs {
		if srv.Listening() {
			c.listening++
		}
	}
	m.mu.Lock()
	for _, s := range gone {
		delete(m.set, s)
	}
	m.closed.read += fold.read
	m.closed.written += fold.written
	c.read += m.closed.read
	c.written += m.closed.written
	c.errs = make(map[string]int64, len(m.errs))
	for k, v := range m.errs {
		c.errs[k] = v
	}
	m.mu.Unlock()
	return c
}

// unfoldedLocked is what s counted and has not folded into metrics.closed yet.
func (s *Socket) unfoldedLocked() (read, written int64) {
	read = s.bytesRead.Load()
	if s.out != nil {
		written = s.out.Submitted()
	}
	if k := s.counts; k != nil {
		read += k.earlier.read - k.folded.read
		written += k.earlier.written - k.folded.written
	}
	return read, written
}

// foldLocked records what s counted as folded, and returns it, for metrics.closed.
func (s *Socket) foldLocked() (read, written int64) {
	read, written = s.unfoldedLocked()
	if s.counts == nil {
		s.counts = new(socketCounts)
	}
	s.counts.folded.read += read
	s.counts.folded.written += written
	return read, written
}

// socketClosed folds the counts of s, closed, into the totals and stops collecting it, so a
// closed socket is not kept until the next collection. A close listener may have connected
// it again meanwhile: then it stays.
func (m *metrics) socketClosed(s *Socket) {
	if m == nil {
		return
	}
	m.cmu.RLock()
	defer m.cmu.RUnlock()
	s.mu.Lock()
	if s.state != socketClosed {
		s.mu.Unlock()
		return
	}
	read, written := s.foldLocked()
	s.mu.Unlock()
	m.mu.Lock()
	m.closed.read += read
	m.closed.written += written
	delete(m.set, s)
	m.mu.Unlock()
}

// track adds s to what is collected; called when it gets an actor.
func (m *metrics) track(s *Socket) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.set[s] = struct{}{}
	m.mu.Unlock()
}

// trackServer adds srv to what is collected, or removes it.
func (m *metrics) trackServer(srv *Server, on bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	if on {
		m.servers[srv] = struct{}{}
	} else {
		delete(m.servers, srv)
	}
	m.mu.Unlock()
}

// countError counts an 'error' event by its code.
func (m *metrics) countError(err error) {
	if m == nil {
		return
	}
	code := Code(err)
	if code == "" {
		code = "other"
	}
	m.mu.Lock()
	m.errs[code]++
	m.mu.Unlock()
}

func (m *metrics) countAccepted() {
	if m != nil {
		m.accepted.Add(1)
	}
}

// stop ends the reporting: the runtime shut down.
func (m *metrics) stop() {
	if m != nil {
		_ = m.reg.Unregister()
	}
}
