"""TAP output: numbered checks, failures with their details as comments."""


class Tap:
    def __init__(self, prefix):
        self.n = 0
        self.failed = 0
        self.prefix = prefix
        self.doomed = False  # the scenario did not finish: nothing it shows counts

    def ok(self, cond, name, detail=""):
        self.n += 1
        if self.doomed and cond:
            cond, name = False, name + " (not trusted: the scenario did not finish)"
        if not cond:
            self.failed += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {self.prefix}{name}")
        if not cond and detail:
            for line in str(detail).splitlines():
                print(f"#   {line}")
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, f"{name} == {want}", f"got {got!r}, want {want!r}")
