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
	linkAddr string             // where this node takes links
	profiles map[string]Profile // Config.Profiles
}

// props makes the service's Props; it holds no state of its own besides the configuration.
func (s *service) props() *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return s }, actor.WithSupervisor(s.stop))
}

func (s *service) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *wire.SpawnSocket:
		owner := pidFromWire(m.Owner)
		if owner == nil {
			s.logger.Warn("remote: SpawnSocket without an owner")
			return
		}
		prof, err := profile(s.profiles, m.Options.GetProfile())
		if err != nil {
			ctx.Send(owner, &wire.Attached{Err: encodeErr(err)})
			return
		}
		// The relay runs on its socket's loop: a read, its DataEvent and the relay's send to
		// the wire happen in one run of the loop, as do a Write from the wire and its write.
		loop := actors.NewLoop()
		ctx.Spawn(actor.PropsFromProducer(func() actor.Actor {
			r := newSocketRelay(s.tree, owner, m.Options, false)
			r.loop, r.linkAddr, r.profile = loop, s.linkAddr, prof
			return r
		}, actor.WithMailbox(loop.Mailbox())))
	case *wire.SpawnServer:
		owner := pidFromWire(m.Owner)
		if owner == nil {
			s.logger.Warn("remote: SpawnServer without an owner")
			return
		}
		prof, err := profile(s.profiles, m.Socket.GetProfile())
		if err != nil {
			ctx.Send(owner, &wire.Attached{Err: encodeErr(err)})
			return
		}
		ctx.Spawn(actor.PropsFromProducer(func() actor.Actor {
			return &serverRelay{tree: s.tree, owner: owner, opts: m, logger: s.logger, stop: s.stop,
				linkAddr: s.linkAddr, profile: prof}
		}))
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		s.logger.Warn("remote: socket service got a message it does not know", slog.String("type", typeName(m)))
	}
}

// socketConfig is the configuration of a socket a relay owns: reads capped at MaxChunk, lent
// (a read's data goes out on the link from the read buffer, which the socket reads into again
// once the link wrote it), half-open always (the proxy ends the socket once its owner
// handled EndEvent, see socketProxy), and the profile's TLS and framing.
func socketConfig(o *wire.SocketOptions, p Profile, owner *actor.PID, loop *actors.Loop, logger *slog.Logger) actors.SocketConfig {
	cfg := actors.SocketConfig{Owner: owner, AllowHalfOpen: true, Loop: loop, Logger: logger, LendReads: true,
		TLS: p.TLS, HandshakeTimeout: p.HandshakeTimeout, Framing: p.Framing}
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
