from studio.launcher import main

main()
