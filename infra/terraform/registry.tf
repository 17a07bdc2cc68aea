# Written by scripts/render_registry.py from medgrade_shared.registry: edit the registry and rerun it.
locals {
  # Each part's default port and, for a service, the environment prefix of its settings.
  registry = {
    grading_orchestrator = {
      port       = 8000
      env_prefix = "MEDGRADE_ORCHESTRATOR_"
    }
    rubric_management = {
      port       = 8001
      env_prefix = "MEDGRADE_RUBRICS_"
    }
    document_parser = {
      port       = 8002
      env_prefix = "MEDGRADE_PARSER_"
    }
    scoring = {
      port       = 8003
      env_prefix = "MEDGRADE_SCORING_"
    }
    gateway = {
      port = 8080
    }
  }
}
