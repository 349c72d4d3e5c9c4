package remote

import (
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/remote/wire"
	"github.com/actornet/actornet/supervisor"
)

// service is a node's socket service: for each SpawnSocket or SpawnServer from an owner's
// proxy on another node it spawns a relay, its child, which spawns the socket or server in
// the node's tree. A relay that panics is stopped (and its socket with it), never
// restarted; the service goes on.
type service struct {
	tree     *supervisor.Tree
	logger   *slog.Logger
	stop     actor.SupervisorStrategy
	linkAddr string // where this node takes links
}

func serviceProps(tree *supervisor.Tree, logger *slog.Logger, stop actor.SupervisorStrategy, linkAddr string) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &service{tree: tree, logger: logger, stop: stop, linkAddr: linkAddr}
	}, actor.WithSupervisor(stop))
}

func (s *service) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *wire.SpawnSocket:
		owner := pidFromWire(m.Owner)
		if owner == nil {
			s.logger.Warn("remote: SpawnSocket without an owner")
			return
		}
		// The relay runs on its socket's loop: a read, its DataEvent and the relay's send to
		// the wire happen in one run of the loop, as do a Write from the wire and its write.
		loop := actors.NewLoop()
		ctx.Spawn(actor.PropsFromProducer(func() actor.Actor {
			r := newSocketRelay(s.tree, owner, m.Options, false)
			r.loop, r.linkAddr = loop, s.linkAddr
			return r
		}, actor.WithMailbox(loop.Mailbox())))
	case *wire.SpawnServer:
		owner := pidFromWire(m.Owner)
		if owner == nil {
			s.logger.Warn("remote: SpawnServer without an owner")
			return
		}
		ctx.Spawn(actor.PropsFromProducer(func() actor.Actor {
			return &serverRelay{tree: s.tree, owner: owner, opts: m, logger: s.logger, stop: s.stop, linkAddr: s.linkAddr}
		}))
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		s.logger.Warn("remote: socket service got a message it does not know", slog.String("type", typeName(m)))
	}
}

// socketConfig is the configuration of a socket a relay owns: reads capped at MaxChunk, lent
// (a read's data goes out on the link from the read buffer, which the socket reads into again
// once the link wrote it), half-open always (the proxy ends the socket once its owner
// handled EndEvent, see socketProxy).
func socketConfig(o *wire.SocketOptions, owner *actor.PID, loop *actors.Loop, logger *slog.Logger) actors.SocketConfig {
	cfg := actors.SocketConfig{Owner: owner, AllowHalfOpen: true, Loop: loop, Logger: logger, LendReads: true}
	if o != nil {
		cfg.HighWaterMark = int(o.HighWaterMark)
		cfg.ReadBufferSize = int(o.ReadBufferSize)
		cfg.Paused = o.Paused
		cfg.AwaitConsumer = o.AwaitConsumer
	}
	if cfg.HighWaterMark <= 0 {
		cfg.HighWaterMark = DefaultHighWaterMark
	}
	if cfg.ReadBufferSize <= 0 || cfg.ReadBufferSize > MaxChunk {
		cfg.ReadBufferSize = MaxChunk
	}
	return cfg
}
