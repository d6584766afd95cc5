#include <stdio.h>
int main(void) { fprintf(stderr, "tern: not built yet\n"); return 2; }
