package actors_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(emfileChildEnv) != "" {
		runEMFILEChild()
		return
	}
	goleak.VerifyTestMain(m)
}
