// Package iotjs holds IoT.js's own net tests, ported to Go against netapi: one Go test per
// original file, named after it, keeping its scenario and its assertions. Where actornet
// differs from IoT.js on purpose, the test asserts actornet's behaviour and README.md in this
// directory says why.
package iotjs
