// compose-check loads a Compose file the way `docker compose config` does, with the Compose specification's own
// loader (github.com/compose-spec/compose-go): YAML parsing, ${VAR:-default} and ${VAR:?message} interpolation,
// schema validation, merge keys, normalisation and consistency checks (depends_on targets and so on). It needs no
// Docker engine. It prints the rendered project as JSON on stdout, or the loader's error on stderr and exits 1.
//
//	compose-check -f docker-compose.yml [-env-file empty.env] [-project-name NAME]
//
// Interpolation reads this process's environment plus the env file. The tests start it with a clean environment
// so that the developer's shell takes no part.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	file := flag.String("f", "docker-compose.yml", "the Compose file")
	envFile := flag.String("env-file", "", "an env file to interpolate from (none: only the process environment)")
	name := flag.String("project-name", "compose-check", "the project name (otherwise taken from the folder)")
	flag.Parse()
	if err := run(*file, *envFile, *name); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(file, envFile, name string) error {
	options := []cli.ProjectOptionsFn{cli.WithName(name), cli.WithOsEnv}
	if envFile != "" {
		options = append(options, cli.WithEnvFiles(envFile), cli.WithDotEnv)
	}
	// After the environment is read: COMPOSE_PROFILES activates profiles, as in `docker compose`.
	options = append(options, cli.WithDefaultProfiles())
	projectOptions, err := cli.NewProjectOptions([]string{file}, options...)
	if err != nil {
		return err
	}
	project, err := projectOptions.LoadProject(context.Background())
	if err != nil {
		return err
	}
	rendered, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(rendered, '\n'))
	return err
}
