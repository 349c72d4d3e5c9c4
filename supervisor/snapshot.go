package supervisor

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// Snapshot is the tree at one moment: each server with its sockets, and the client sockets.
// Actors that stop while it is taken are left out.
type Snapshot struct {
	Servers []ServerNode
	Clients []messages.SocketInfo
}

// ServerNode is one server and the sockets it accepted.
type ServerNode struct {
	messages.ServerInfo
	Sockets []messages.SocketInfo
}

// Snapshot asks every server and socket of the tree for its state. It blocks until all have
// answered or ctx ends; each actor gets at most a second.
func (t *Tree) Snapshot(ctx context.Context) (Snapshot, error) {
	var snap Snapshot
	servers, err := t.children(ctx, t.servers)
	if err != nil {
		return snap, err
	}
	for _, pid := range servers {
		info, ok := ask[*messages.ServerInfo](ctx, t, pid)
		if !ok {
			continue
		}
		node := ServerNode{ServerInfo: *info}
		for _, c := range info.Connections {
			if si, ok := ask[*messages.SocketInfo](ctx, t, c); ok {
				node.Sockets = append(node.Sockets, *si)
			}
		}
		snap.Servers = append(snap.Servers, node)
	}
	clients, err := t.children(ctx, t.clients)
	if err != nil {
		return snap, err
	}
	for _, pid := range clients {
		if si, ok := ask[*messages.SocketInfo](ctx, t, pid); ok {
			snap.Clients = append(snap.Clients, *si)
		}
	}
	return snap, ctx.Err()
}

func (t *Tree) children(ctx context.Context, group *actor.PID) ([]*actor.PID, error) {
	if group == nil {
		return nil, ErrTreeStopped
	}
	res, err := t.request(ctx, group, &listChildren{})
	if err != nil {
		return nil, err
	}
	pids, _ := res.([]*actor.PID)
	return pids, nil
}

func ask[T any](ctx context.Context, t *Tree, pid *actor.PID) (T, bool) {
	res, err := t.request(ctx, pid, &messages.Inspect{})
	v, ok := res.(T)
	return v, err == nil && ok
}

func (t *Tree) request(ctx context.Context, pid *actor.PID, msg any) (any, error) {
	timeout := time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return t.system.Root.RequestFuture(pid, msg, max(timeout, time.Millisecond)).Result()
}
