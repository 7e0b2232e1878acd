"""The schema comes only from migrations: the models and the migrated database agree."""


def test_models_match_the_migrations(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
