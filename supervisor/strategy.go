package supervisor

import (
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ListenerName is the name a server actor gives its listener child; [ServerStrategy] restarts
// the child of that name and stops every other.
const ListenerName = "listener"

// ListenerFailed is sent by [ServerStrategy] to the server actor whose listener failed: Restart
// says whether a restart follows (after Backoff) or the budget is spent and the listener was
// stopped.
type ListenerFailed struct {
	Reason  any
	Restart bool
	Attempt int
}

// StopStrategy stops any child that fails: a TCP connection cannot be resumed, so a socket is
// never restarted. It is used by the root's groups and by servers for their sockets.
func StopStrategy(logger *slog.Logger) actor.SupervisorStrategy {
	return &stopStrategy{logger: orDiscard(logger)}
}

type stopStrategy struct{ logger *slog.Logger }

func (s *stopStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	_ *actor.RestartStatistics, reason any, _ any) {
	s.logger.Warn("actornet: child failed, stopping it", "child", child.Id, "reason", reason)
	sup.StopChildren(child)
}

// ServerStrategy is a server's policy for its children: the listener child is restarted with
// exponential backoff within budget, and stopped once the budget is spent; sockets are stopped.
// The server is told of each listener failure with a [ListenerFailed] message.
func ServerStrategy(budget Budget, logger *slog.Logger) actor.SupervisorStrategy {
	return &serverStrategy{budget: budget.withDefaults(), logger: orDiscard(logger)}
}

type serverStrategy struct {
	budget Budget
	logger *slog.Logger
}

func (s *serverStrategy) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason any, _ any) {
	if !strings.HasSuffix(child.Id, "/"+ListenerName) {
		s.logger.Warn("actornet: socket failed, stopping it", "child", child.Id, "reason", reason)
		sup.StopChildren(child)
		return
	}
	if rs.NumberOfFailures(s.budget.Window) == 0 {
		rs.Reset()
	}
	rs.Fail()
	attempt := rs.FailureCount()
	restart := s.budget.MaxRestarts > 0 && attempt <= s.budget.MaxRestarts
	if self, ok := sup.(interface{ Self() *actor.PID }); ok {
		sys.Root.Send(self.Self(), &ListenerFailed{Reason: reason, Restart: restart, Attempt: attempt})
	}
	if !restart {
		s.logger.Warn("actornet: listener failed, restart budget spent", "child", child.Id, "reason", reason)
		sup.StopChildren(child)
		return
	}
	wait := s.budget.Backoff(attempt)
	s.logger.Warn("actornet: listener failed, restarting", "child", child.Id, "reason", reason,
		"attempt", attempt, "backoff", wait)
	// protoactor's own exponential backoff has no budget, hence this strategy. Restarting a
	// child that has stopped meanwhile is a no-op, so a timer that fires after Close is harmless.
	time.AfterFunc(wait, func() { sup.RestartChildren(child) })
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
