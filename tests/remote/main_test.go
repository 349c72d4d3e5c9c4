package remote_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(nodeEnv); role != "" {
		runNode(role)
		return
	}
	goleak.VerifyTestMain(m)
}
