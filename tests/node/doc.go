// Package node holds differential tests against a live Node.js: each scenario is a Node
// script under scenarios/ that prints its event log, and a Go twin that runs the same steps
// with netapi and prints the same log; the test runs both and compares them line by line. It
// also runs interop tests, Go against Node over real loopback sockets.
//
// Without a node binary the tests skip, saying so, except with CI=true, where they fail.
package node
