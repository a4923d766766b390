from aspects_assets.cli.main import main

main()
