package netapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/supervisor"
)

// Runtime owns one actor system (its own or the caller's) and every server and socket made
// through it. It is safe for concurrent use.
type Runtime struct {
	sys    *actor.ActorSystem
	ownSys bool
	tree   *supervisor.Tree
	logger *slog.Logger
	loop   *eventLoop // nil unless WithEventLoop

	mu      sync.Mutex
	refs    int           // open, ref'd servers and sockets
	idle    chan struct{} // closed while refs == 0
	sockets map[*Socket]struct{}
	servers map[*Server]struct{}
	timers  map[*Timer]struct{}
	closed  bool
	async   sync.WaitGroup // callbacks run on their own goroutine (see deliverAsync)
}

// stopTimeout bounds how long Shutdown waits for the actor tree to stop.
const stopTimeout = 5 * time.Second

// Option configures a Runtime made by [New].
type Option func(*options)

type options struct {
	sys       *actor.ActorSystem
	logger    *slog.Logger
	eventLoop bool
}

// WithActorSystem makes the runtime share sys instead of making its own; Shutdown then leaves
// sys running.
func WithActorSystem(sys *actor.ActorSystem) Option {
	return func(o *options) { o.sys = sys }
}

// WithLogger sends the runtime's diagnostics to l. Without it nothing is printed.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithEventLoop runs every callback of the runtime on one goroutine, one at a time, in the
// order the events happened on each socket and server (Node's model): state shared by
// callbacks then needs no lock. Without it, callbacks of one socket or server never overlap,
// but those of different ones may run in parallel.
func WithEventLoop() Option {
	return func(o *options) { o.eventLoop = true }
}

// New makes a Runtime. Call Shutdown when done with it.
func New(opts ...Option) *Runtime {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	rt := &Runtime{logger: o.logger, sockets: map[*Socket]struct{}{}, servers: map[*Server]struct{}{},
		timers: map[*Timer]struct{}{}}
	if rt.logger == nil {
		rt.logger = slog.New(slog.DiscardHandler)
	}
	rt.sys = o.sys
	if rt.sys == nil {
		rt.sys, rt.ownSys = supervisor.NewSystem(rt.logger), true
	}
	rt.tree = supervisor.NewTree(rt.sys, rt.logger)
	rt.idle = make(chan struct{})
	close(rt.idle)
	if o.eventLoop {
		rt.loop = newEventLoop(func(v any) {
			rt.logger.Warn("netapi: panic in a callback on the event loop", "panic", v)
		})
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
// ends; it then returns ctx.Err(). Do not call it from a callback of rt: it waits for them.
func (rt *Runtime) Wait(ctx context.Context) error {
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
// and waits for them to close. When ctx ends
// first, what is still open is destroyed and ctx.Err() is returned. Then it stops the actor
// system if rt made it. Later calls return nil at once; calls on rt's servers and sockets
// after it are harmless no-ops. Do not call it from a callback of rt: it waits for them.
func (rt *Runtime) Shutdown(ctx context.Context) error {
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return nil
	}
	rt.closed = true
	servers, sockets, timers := keys(rt.servers), keys(rt.sockets), keys(rt.timers)
	rt.mu.Unlock()
	for _, t := range timers {
		t.Stop()
	}

	for _, s := range servers {
		s.shutdown()
	}
	for _, s := range sockets {
		s.shutdown()
	}
	err := rt.waitClosed(ctx, servers, sockets)
	if err != nil {
		for _, s := range sockets {
			s.Destroy()
		}
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	_ = rt.tree.Stop(stopCtx)
	if rt.loop != nil {
		rt.loop.close()
	}
	rt.async.Wait()
	if rt.ownSys {
		rt.sys.Shutdown()
	}
	return err
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
func (rt *Runtime) trackSocket(s *Socket, on bool) bool { return track(rt, rt.sockets, s, on) }

func (rt *Runtime) trackServer(s *Server, on bool) bool { return track(rt, rt.servers, s, on) }

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

// callbacks serialises one object's callbacks outside the event loop: mu is held while any of
// them runs, and those delivered asynchronously run in the order they were delivered.
type callbacks struct {
	mu      sync.Mutex
	qmu     sync.Mutex // guards queue and running
	queue   []func()
	running bool
}

// sink is what handles an object's events: its process runs the callbacks, its failed gets a
// panic caught on the event loop.
type sink interface {
	process(ev any)
	failed(pe *supervisor.PanicError)
}

// deliver has sink process ev where callbacks run: on the event loop when there is one, else
// right here, inside the object's actor (whose own recovery then catches a panic), holding
// cb.mu so that it never overlaps the object's other callbacks.
func (rt *Runtime) deliver(cb *callbacks, to sink, ev any) {
	if rt.loop == nil {
		cb.mu.Lock()
		defer cb.mu.Unlock()
		to.process(ev)
		return
	}
	rt.loop.post(func() {
		defer func() {
			if r := recover(); r != nil {
				to.failed(supervisor.NewPanicError(r))
			}
		}()
		to.process(ev)
	})
}

// deliverAsync runs fn outside any actor, for callbacks that have no event to ride on (a
// write on a closed socket, a kept error ...): on the loop, or else on a goroutine that runs
// the object's such callbacks in order, holding cb.mu. Until fn has run it keeps Wait from
// returning, as a pending callback keeps Node alive.
func (rt *Runtime) deliverAsync(cb *callbacks, fn func()) {
	rt.ref()
	if rt.loop != nil && rt.loop.post(func() { defer rt.unref(); fn() }) {
		return
	}
	cb.qmu.Lock()
	cb.queue = append(cb.queue, fn)
	start := !cb.running
	cb.running = true
	cb.qmu.Unlock()
	if !start {
		return
	}
	rt.async.Add(1)
	go func() {
		defer rt.async.Done()
		for {
			cb.qmu.Lock()
			if len(cb.queue) == 0 {
				cb.running = false
				cb.qmu.Unlock()
				return
			}
			next := cb.queue[0]
			cb.queue = cb.queue[1:]
			cb.qmu.Unlock()
			rt.runAsync(cb, next)
		}
	}()
}

func (rt *Runtime) runAsync(cb *callbacks, fn func()) {
	defer rt.unref()
	defer func() {
		if r := recover(); r != nil {
			rt.logger.Warn("netapi: panic in a callback", "panic", r)
		}
	}()
	cb.mu.Lock()
	defer cb.mu.Unlock()
	fn()
}
