package motoserver

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"strings"
)

// requirementsFile is requirements.txt: the pip requirements of the engine,
// which scripts/build-moto-image installs into the container image too.
//
//go:embed requirements.txt
var requirementsFile string

// Requirements returns the pip requirements that [Install] installs, one
// pinned requirement each: moto [Version] without its [server] extra, plus
// the packages that moto's server and its DynamoDB and DynamoDB Streams
// backends import (Flask, flask-cors, Werkzeug and the PartiQL parser).
// moto[server] would add 34 more packages, among them a CloudFormation
// linter, the X-Ray SDK and a Docker client, that DynamoDB never loads.
func Requirements() []string {
	var reqs []string
	for line := range strings.Lines(requirementsFile) {
		if line, _, _ = strings.Cut(line, "#"); strings.TrimSpace(line) != "" {
			reqs = append(reqs, strings.TrimSpace(line))
		}
	}
	return reqs
}

// envName is the name of the cache directory that holds the environment:
// moto's version and a digest of the requirements, so that an environment
// installed from other requirements is never taken for this one.
func envName() string {
	sum := sha256.Sum256([]byte(strings.Join(Requirements(), "\n")))
	return "moto-" + Version + "-" + hex.EncodeToString(sum[:4])
}
