package actors

import (
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/supervisor"
)

// SpawnSocket spawns a client socket actor under the tree's clients group. It is not connected:
// send it a [messages.Connect]. The error is non-nil only for an invalid cfg or a stopped tree.
func SpawnSocket(tree *supervisor.Tree, cfg SocketConfig) (*actor.PID, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return tree.SpawnClient(socketProps(cfg, nil, false))
}

// SpawnServer spawns a server actor under the tree's servers group. It is not listening: send
// it a [messages.Listen].
func SpawnServer(tree *supervisor.Tree, cfg ServerConfig) (*actor.PID, error) {
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
	props := actor.PropsFromProducer(func() actor.Actor { return &server{cfg: cfg} },
		actor.WithSupervisor(supervisor.StopStrategy(cfg.Logger)),
		actor.WithMailbox(func() actor.Mailbox { return newMailbox(cfg.Loop) }))
	return tree.SpawnServer(props)
}

func socketProps(cfg SocketConfig, conn *net.TCPConn, held bool) *actor.Props {
	mb := newMailbox(cfg.Loop)
	return actor.PropsFromProducer(func() actor.Actor { return newSocket(cfg, conn, held, mb) },
		actor.WithMailbox(func() actor.Mailbox { return mb }))
}
