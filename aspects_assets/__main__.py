from aspects_assets.cli import main

main()
