from paperwire.cli import main

main()
