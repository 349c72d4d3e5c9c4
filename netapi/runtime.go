package netapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.opentelemetry.io/otel/metric"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/supervisor"
)

// Runtime owns one actor system (its own or the caller's) and every server and socket made
// through it. It is safe for concurrent use.
type Runtime struct {
	sys      *actor.ActorSystem
	ownSys   bool
	tree     *supervisor.Tree
	logger   *slog.Logger      // diagnostics: discarded unless WithLogger
	resolver *net.Resolver     // WithResolver's; nil for net.DefaultResolver
	errLog   *slog.Logger      // errors nobody listens for: WithLogger's, or slog.Default()
	loops    *actors.LoopGroup // where every callback runs
	lends    atomic.Bool       // some socket was made with ReuseReadBuffer
	metrics  *metrics          // WithMeterProvider's instruments; nil without it

	mu        sync.Mutex
	refs      int           // open, ref'd servers and sockets, and pending callbacks
	idle      chan struct{} // closed while refs == 0
	tasks     int           // callbacks posted and not run yet (see post)
	tasksIdle chan struct{} // closed while tasks == 0
	sockets   map[*Socket]struct{}
	servers   map[*Server]struct{}
	timers    map[*Timer]struct{}
	clients   map[*Client]struct{} // not closed yet: Shutdown closes those that are down
	closed    bool
	shutDown  chan struct{} // closed once Shutdown is done
	shutErr   error         // what Shutdown returned
}

// stopTimeout bounds how long Shutdown waits for the actor tree to stop.
const stopTimeout = 5 * time.Second

// Option configures a Runtime made by [New].
type Option func(*options)

type options struct {
	sys      *actor.ActorSystem
	logger   *slog.Logger
	loops    int
	meters   metric.MeterProvider
	resolver *net.Resolver
}

// WithActorSystem makes the runtime share sys instead of making its own; Shutdown then leaves
// sys running.
func WithActorSystem(sys *actor.ActorSystem) Option {
	return func(o *options) { o.sys = sys }
}

// WithLogger sends the runtime's diagnostics to l, and the errors nobody listens for (an
// 'error' event with no listener, a panic in a callback). Without it, those errors go to
// slog.Default() at Error level, as net/http's do to the standard logger, and nothing else is
// printed.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithResolver makes the runtime's sockets and servers look host names up with r instead of
// net.DefaultResolver (as net.Dialer's Resolver does): a Connect's Timeout and context cover
// the lookup.
func WithResolver(r *net.Resolver) Option {
	return func(o *options) { o.resolver = r }
}

// WithEventLoop runs every callback of the runtime on one loop, one at a time, in the order
// the events happened on each socket and server (Node's model): state shared by callbacks
// then needs no lock. It is WithEventLoops(1).
func WithEventLoop() Option { return WithEventLoops(1) }

// WithEventLoops runs the runtime's servers and sockets on n loops (Netty's event loop
// group). Callbacks of the sockets and servers on one loop never overlap; those on different
// loops may run in parallel. Each new server and socket goes on the next loop in turn, except
// that one made from a callback goes on that callback's loop: a proxy's two sides then take
// turns, as in Node.
//
// n < 1 is the default: a loop of its own for every server, every accepted connection and
// every socket made outside a callback (a socket made from a callback still joins that
// callback's loop). Connections then run in parallel and never wait for each other's
// callbacks, as each has its own goroutine in a plain Go server; callbacks of one connection,
// and of the sockets it made, still run one at a time and in order.
func WithEventLoops(n int) Option {
	return func(o *options) { o.loops = n }
}

// New makes a Runtime. Call Shutdown when done with it.
func New(opts ...Option) *Runtime {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	rt := &Runtime{logger: o.logger, resolver: o.resolver, sockets: map[*Socket]struct{}{}, servers: map[*Server]struct{}{},
		timers: map[*Timer]struct{}{}, clients: map[*Client]struct{}{}}
	rt.errLog = rt.logger
	if rt.logger == nil {
		rt.logger, rt.errLog = slog.New(slog.DiscardHandler), slog.Default()
	}
	rt.sys = o.sys
	if rt.sys == nil {
		rt.sys, rt.ownSys = supervisor.NewSystem(rt.logger), true
	}
	rt.tree = supervisor.NewTree(rt.sys, rt.logger)
	rt.idle, rt.tasksIdle = make(chan struct{}), make(chan struct{})
	close(rt.idle)
	close(rt.tasksIdle)
	rt.loops = actors.NewLoopGroup(o.loops)
	if o.meters != nil {
		m, err := newMetrics(o.meters)
		if err != nil {
			rt.errLog.Error("actornet: metrics off, the meter provider failed", "err", err)
		}
		rt.metrics = m
	}
	return rt
}

var (
	defaultMu sync.Mutex
	defaultRT *Runtime
)

// Default is the runtime the package-level functions use, made on first use, and made anew
// on the first use after it was shut down.
func Default() *Runtime {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultRT == nil || defaultRT.isClosed() {
		defaultRT = New()
	}
	return defaultRT
}

// System is the runtime's actor system.
func (rt *Runtime) System() *actor.ActorSystem { return rt.sys }

// Tree is the runtime's supervision tree, for snapshots.
func (rt *Runtime) Tree() *supervisor.Tree { return rt.tree }

// Wait blocks until no server or socket of rt is open (Node's loop running dry: a listening
// server, or a socket between Connect and its close, counts unless Unref'd), or until ctx
// ends; it then returns ctx.Err(). Called from a callback of rt, it returns ErrInCallback at
// once: it would wait for itself.
func (rt *Runtime) Wait(ctx context.Context) error {
	if rt.loops.Current() != nil {
		return ErrInCallback
	}
	for {
		rt.mu.Lock()
		idle, refs := rt.idle, rt.refs
		rt.mu.Unlock()
		if refs == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Shutdown closes every server, ends every open socket (destroys those not connected yet),
// and waits for them to close: a socket's queued writes go out before its FIN. When ctx
// ends first, what is still open is destroyed (with a reset where writes were still queued,
// so that no peer mistakes a cut stream for a whole one) and ctx.Err() is returned. Then it
// stops the actor system if rt made it. It is safe from any goroutine but rt's callbacks
// (there it returns ErrInCallback at once: it would wait for itself); concurrent and later
// calls wait until the first is done and return what it returned. Nothing new can be made
// with rt once it started: calls on rt's servers and sockets are harmless no-ops.
func (rt *Runtime) Shutdown(ctx context.Context) error {
	if rt.loops.Current() != nil {
		return ErrInCallback
	}
	rt.mu.Lock()
	if rt.closed {
		done := rt.shutDown
		rt.mu.Unlock()
		if err := waitDone(ctx, done); err != nil {
			return err
		}
		return rt.shutErr
	}
	rt.closed = true
	rt.shutDown = make(chan struct{})
	timers, clients := keys(rt.timers), keys(rt.clients)
	rt.mu.Unlock()
	for _, t := range timers {
		t.Stop()
	}
	for _, c := range clients {
		c.shutdown() // one waiting to retry has no socket whose close would end it
	}
	err := rt.closeAll(ctx)
	stopCtx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	_ = rt.tree.Stop(stopCtx)
	_ = waitDone(stopCtx, rt.tasksDone())
	if rt.ownSys {
		rt.sys.Shutdown()
	}
	rt.metrics.stop()
	rt.mu.Lock()
	rt.shutErr = err
	close(rt.shutDown)
	rt.mu.Unlock()
	return err
}

// closeAll closes what rt tracks until nothing is left: a server or socket is tracked from
// its Listen or Connect until its 'close' listeners ran, and nothing new is tracked once the
// runtime is closed. When ctx ends first, what is left is destroyed.
func (rt *Runtime) closeAll(ctx context.Context) error {
	asked := map[any]bool{}
	for {
		rt.mu.Lock()
		servers, sockets := keys(rt.servers), keys(rt.sockets)
		rt.mu.Unlock()
		if len(servers) == 0 && len(sockets) == 0 {
			return nil
		}
		for _, s := range servers {
			if !asked[s] {
				asked[s] = true
				s.shutdown()
			}
		}
		for _, s := range sockets {
			if !asked[s] {
				asked[s] = true
				s.shutdown()
			}
		}
		if err := rt.waitClosed(ctx, servers, sockets); err != nil {
			for _, s := range sockets {
				s.destroyWith(err)
			}
			return err
		}
	}
}

// waitClosed waits until the given servers and sockets have all closed.
func (rt *Runtime) waitClosed(ctx context.Context, servers []*Server, sockets []*Socket) error {
	for _, s := range servers {
		if err := waitDone(ctx, s.closedCh()); err != nil {
			return err
		}
	}
	for _, s := range sockets {
		if err := waitDone(ctx, s.closedCh()); err != nil {
			return err
		}
	}
	return nil
}

func waitDone(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ref and unref count what keeps Wait blocked.
func (rt *Runtime) ref() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.refs == 0 {
		rt.idle = make(chan struct{})
	}
	rt.refs++
}

func (rt *Runtime) unref() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.refs--
	if rt.refs == 0 {
		close(rt.idle)
	}
}

// trackSocket and trackServer keep the objects Shutdown must close; adding reports false once
// the runtime is shut down.
func (rt *Runtime) trackSocket(s *Socket, on bool) bool {
	ok := track(rt, rt.sockets, s, on)
	if ok && on {
		rt.metrics.track(s) // until its close folds its counts (metrics.socketClosed)
	}
	return ok
}

func (rt *Runtime) trackServer(s *Server, on bool) bool {
	ok := track(rt, rt.servers, s, on)
	if ok {
		rt.metrics.trackServer(s, on)
	}
	return ok
}

func track[T comparable](rt *Runtime, set map[T]struct{}, v T, on bool) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	switch {
	case on && rt.closed:
		return false
	case on:
		set[v] = struct{}{}
	default:
		delete(set, v)
	}
	return true
}

// post runs fn on loop, where callbacks run, for a callback that has no event to ride on (a
// write on a closed socket, a timer ...). Until fn has run it keeps Wait from returning, as a
// pending callback keeps Node alive, and Shutdown waits for it. A panic in fn is logged.
func (rt *Runtime) post(loop *actors.Loop, fn func()) {
	rt.hold()
	loop.Post(func() {
		defer rt.release()
		defer func() {
			if r := recover(); r != nil {
				rt.errLog.Error("netapi: panic in a callback", "panic", r,
					"stack", string(supervisor.NewPanicError(r).Stack))
			}
		}()
		fn()
	})
}

// hold counts a callback to come, for Wait and Shutdown; release counts it done.
func (rt *Runtime) hold() {
	rt.mu.Lock()
	if rt.refs == 0 {
		rt.idle = make(chan struct{})
	}
	rt.refs++
	if rt.tasks == 0 {
		rt.tasksIdle = make(chan struct{})
	}
	rt.tasks++
	rt.mu.Unlock()
}

func (rt *Runtime) release() {
	rt.mu.Lock()
	rt.tasks--
	if rt.tasks == 0 {
		close(rt.tasksIdle)
	}
	rt.mu.Unlock()
	rt.unref()
}

func (rt *Runtime) tasksDone() <-chan struct{} {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.tasksIdle
}

// unheard reports an error that no 'error' listener heard, so that it is never silent.
func (rt *Runtime) unheard(what string, err error, attrs ...any) {
	var pe *supervisor.PanicError
	if errors.As(err, &pe) {
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	rt.errLog.Error("netapi: "+what+" with no 'error' listener", append([]any{"err", err, "code", Code(err)}, attrs...)...)
}

// loopForNew is the loop of a new server, socket or timer: the loop of the callback that
// makes it, or the next one in turn.
func (rt *Runtime) loopForNew() *actors.Loop {
	if l := rt.loops.Current(); l != nil {
		return l
	}
	return rt.loops.Next()
}
