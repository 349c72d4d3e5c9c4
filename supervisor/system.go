package supervisor

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// NewSystem makes an actor system that logs to logger only (nil: prints nothing, unlike
// protoactor's default of colour logs on stderr).
func NewSystem(logger *slog.Logger) *actor.ActorSystem {
	logger = orDiscard(logger)
	return actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return logger }),
		// Dead letters (events for an owner that has gone) are expected here; the throttle only
		// limits their logging, and a short period lets its goroutine end soon after.
		actor.WithDeadLetterThrottleInterval(50*time.Millisecond),
		actor.WithDeadLetterRequestLogging(false),
	)
}
