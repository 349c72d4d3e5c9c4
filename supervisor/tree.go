package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ErrTreeStopped is returned by the Spawn methods of a [Tree] that was stopped.
var ErrTreeStopped = errors.New("supervisor: tree stopped")

// Tree is one actor system's supervision tree: a root actor with two groups under it, one for
// servers (each with its accepted sockets under it) and one for client
// sockets. It is safe for concurrent use.
type Tree struct {
	system  *actor.ActorSystem
	logger  *slog.Logger
	root    *actor.PID
	servers *actor.PID
	clients *actor.PID
}

// spawnChild asks a group actor to spawn Props as its child; it answers with the *actor.PID.
type spawnChild struct{ props *actor.Props }

// listChildren asks a group actor for its children; it answers with []*actor.PID.
type listChildren struct{}

// NewTree builds a tree in system. A nil logger prints nothing.
func NewTree(system *actor.ActorSystem, logger *slog.Logger) *Tree {
	logger = orDiscard(logger)
	t := &Tree{system: system, logger: logger}
	root := actor.PropsFromProducer(func() actor.Actor { return &rootActor{tree: t} },
		actor.WithSupervisor(StopStrategy(logger)))
	t.root = system.Root.SpawnPrefix(root, "actornet")
	// The root spawns its two groups while starting, so both exist once Started was handled.
	res, err := system.Root.RequestFuture(t.root, &listChildren{}, 5*time.Second).Result()
	if err == nil {
		if pids, ok := res.([]*actor.PID); ok && len(pids) == 2 {
			t.servers, t.clients = pids[0], pids[1]
		}
	}
	return t
}

// System is the actor system the tree lives in.
func (t *Tree) System() *actor.ActorSystem { return t.system }

// Logger is the tree's logger; it discards everything unless one was given.
func (t *Tree) Logger() *slog.Logger { return t.logger }

// SpawnServer spawns props as a server under the servers group.
func (t *Tree) SpawnServer(props *actor.Props) (*actor.PID, error) {
	return t.spawnIn(t.servers, props)
}

// SpawnClient spawns props as a client socket under the clients group.
func (t *Tree) SpawnClient(props *actor.Props) (*actor.PID, error) {
	return t.spawnIn(t.clients, props)
}

func (t *Tree) spawnIn(group *actor.PID, props *actor.Props) (*actor.PID, error) {
	if group == nil {
		return nil, ErrTreeStopped
	}
	res, err := t.system.Root.RequestFuture(group, &spawnChild{props: props}, 5*time.Second).Result()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTreeStopped, err)
	}
	pid, ok := res.(*actor.PID)
	if !ok {
		return nil, ErrTreeStopped
	}
	return pid, nil
}

// Stop stops the whole tree, children first, and waits until it is gone or ctx ends. Sockets
// still open are destroyed.
func (t *Tree) Stop(ctx context.Context) error {
	f := t.system.Root.StopFuture(t.root)
	done := make(chan error, 1)
	go func() { done <- f.Wait() }()
	select {
	case err := <-done:
		if errors.Is(err, actor.ErrTimeout) {
			return context.DeadlineExceeded
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type rootActor struct {
	tree             *Tree
	servers, clients *actor.PID
}

func (r *rootActor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		strategy := StopStrategy(r.tree.logger)
		group := actor.PropsFromProducer(func() actor.Actor { return &groupActor{} },
			actor.WithSupervisor(strategy))
		r.servers, _ = ctx.SpawnNamed(group, "servers")
		r.clients, _ = ctx.SpawnNamed(group, "clients")
	case *listChildren:
		ctx.Respond([]*actor.PID{r.servers, r.clients})
	}
}

// groupActor holds one kind of child; its policy is the one given to its props.
type groupActor struct{}

func (g *groupActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *spawnChild:
		ctx.Respond(ctx.Spawn(m.props))
	case *listChildren:
		ctx.Respond(ctx.Children())
	}
}
