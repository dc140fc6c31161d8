from strat_cli.cli import main

main()
