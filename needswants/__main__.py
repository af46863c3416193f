from needswants.cli import main

main()
