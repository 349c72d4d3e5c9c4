package supervisor

import (
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// StopStrategy stops any child that fails: a TCP connection cannot be resumed, so a socket is
// never restarted. It is the policy of the root's groups and of servers for their sockets.
func StopStrategy(logger *slog.Logger) actor.SupervisorStrategy {
	return &stopStrategy{logger: orDiscard(logger)}
}

type stopStrategy struct{ logger *slog.Logger }

func (s *stopStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	_ *actor.RestartStatistics, reason any, _ any) {
	s.logger.Warn("actornet: child failed, stopping it", "child", child.Id, "reason", reason)
	sup.StopChildren(child)
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
