// Package scripts holds the tests of the shell scripts beside them.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAptMirror runs apt-mirror on apt sources made for each case, read by
// the machine's own apt-get.
func TestAptMirror(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("no apt-get here: apt-mirror reads the sources through it")
	}
	tests := []struct {
		name  string
		files map[string]string // path under the apt directory: content
		want  string            // the output, or "" when apt-mirror must fail
	}{
		{
			name: "one-line format",
			files: map[string]string{"sources.list": `# the mirror of this site
deb-src http://src.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian/ bookworm main contrib
deb http://mirror.example/debian bookworm-updates main
deb http://security.example/debian-security bookworm-security main
`},
			want: "http://mirror.example/debian bookworm",
		},
		{
			name: "deb822 format",
			files: map[string]string{"sources.list.d/debian.sources": `Types: deb
URIs: http://off.example/debian
Suites: trixie
Components: main
Enabled: no

Types: deb deb-src
# a comment inside a stanza
URIs: http://mirror.example/debian
Suites: trixie trixie-updates
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: trixie-security
Components: main
`},
			want: "http://mirror.example/debian trixie",
		},
		{
			name: "a PPA listed before the distribution",
			files: map[string]string{
				"sources.list.d/a-team-ubuntu-ppa-noble.sources": "Types: deb\nURIs: https://ppa.example/a-team/ppa/ubuntu/\nSuites: noble\nComponents: main\n",
				"sources.list.d/ubuntu.sources":                  "Types: deb\nURIs: http://archive.example/ubuntu/\nSuites: noble noble-updates noble-backports\nComponents: main restricted universe\n",
			},
			want: "http://archive.example/ubuntu noble",
		},
		{
			name: "without -updates the first release wins",
			files: map[string]string{
				"sources.list":                "deb http://mirror.example/debian stable main\n",
				"sources.list.d/other.list":   "deb http://other.example/debian stable main\n",
				"sources.list.d/nodejs.list":  "deb https://deb.nodejs.example/node_20.x nodistro-x main\n",
				"sources.list.d/flat.list":    "deb http://flat.example/repo ./\n",
				"sources.list.d/contrib.list": "deb http://contrib.example/debian stable contrib\n",
			},
			want: "http://mirror.example/debian stable",
		},
		{
			name: "disabled files are not sources",
			files: map[string]string{
				"sources.list.d/debian.list.disabled": "deb http://mirror.example/debian bookworm main\n",
				"sources.list.d/debian.list.save":     "deb http://mirror.example/debian bookworm main\n",
			},
		},
		{
			name:  "only security updates",
			files: map[string]string{"sources.list": "deb http://security.example/debian-security bookworm-security main\n"},
		},
		{
			name: "no sources",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "sources.list.d"), 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command("bash", "apt-mirror", "-o", "Dir::Etc="+dir)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			got := strings.TrimSpace(string(out))
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("apt-mirror = %q, want a failure", got)
			case tt.want == "" && !strings.Contains(stderr.String(), "apt-mirror: no deb source"):
				t.Errorf("apt-mirror failed with %q, want it to say that no source fits", stderr.String())
			case tt.want != "" && err != nil:
				t.Errorf("apt-mirror: %v\n%s", err, stderr.String())
			case got != tt.want:
				t.Errorf("apt-mirror = %q, want %q", got, tt.want)
			}
		})
	}
}
