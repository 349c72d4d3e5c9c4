package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/supervisor"
)

// SpawnSocket spawns a client socket actor under the tree's clients group. It is not connected:
// send it a [messages.Connect]. The error is non-nil only for an invalid cfg or a stopped tree.
func SpawnSocket(tree *supervisor.Tree, cfg SocketConfig) (*actor.PID, error) {
	props, err := SocketProps(cfg)
	if err != nil {
		return nil, err
	}
	return tree.SpawnClient(props)
}

// SpawnServer spawns a server actor under the tree's servers group. It is not listening: send
// it a [messages.Listen].
func SpawnServer(tree *supervisor.Tree, cfg ServerConfig) (*actor.PID, error) {
	props, err := ServerProps(cfg)
	if err != nil {
		return nil, err
	}
	return tree.SpawnServer(props)
}

// SocketProps is the Props of a client socket actor, for spawning it under a supervisor of
// one's own (ctx.Spawn in a parent actor): the socket then stops with its parent. Its own
// failures never reach the parent's strategy: a socket closes on any error, with an
// ErrorEvent and a CloseEvent, and is never restarted. The error is non-nil for an invalid cfg.
func SocketProps(cfg SocketConfig) (*actor.Props, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return actor.PropsFromProducer(func() actor.Actor { return newSocket(cfg, nil, false) },
		actor.WithMailbox(func() actor.Mailbox { return newMailbox(cfg.Loop) })), nil
}

// ServerProps is the Props of a server actor, for spawning it under a supervisor of one's
// own. Its accepted sockets are its children; a panic in its Handler is reported as a
// ServerErrorEvent, and its listener's failures are handled by its own restart budget
// (ServerConfig.Restart), so the parent's strategy is not involved.
func ServerProps(cfg ServerConfig) (*actor.Props, error) {
	sc, err := cfg.Socket.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := cfg.Restart.Validate(); err != nil {
		return nil, err
	}
	cfg.Socket = sc
	if cfg.Logger == nil {
		cfg.Logger = sc.Logger
	}
	return actor.PropsFromProducer(func() actor.Actor { return &server{cfg: cfg} },
		actor.WithSupervisor(supervisor.StopStrategy(cfg.Logger)),
		actor.WithMailbox(func() actor.Mailbox { return newMailbox(cfg.Loop) })), nil
}
