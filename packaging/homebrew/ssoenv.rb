# Homebrew formula for ssoenv. The release workflow renders it with
# `scripts/dist render` (@VERSION@ and the source archive's SHA-256 from the
# release's SHA256SUMS) and attaches the result to the release, for the tap.
class Ssoenv < Formula
  desc "AWS IAM Identity Center credentials that follow your shell's directory"
  homepage "https://github.com/ssoenv/ssoenv"
  url "https://github.com/ssoenv/ssoenv/releases/download/v@VERSION@/ssoenv-@VERSION@-source.tar.gz"
  sha256 "@SHA256:ssoenv-@VERSION@-source.tar.gz@"
  license any_of: ["MIT", "Apache-2.0"]
  head "https://github.com/ssoenv/ssoenv.git", branch: "main"

  depends_on "rust" => :build

  def install
    # Both binaries: `ssoenv` answers idle prompts, `ssoenv-core` the rest.
    system "cargo", "install", *std_cargo_args
    bash_completion.install "completions/ssoenv.bash" => "ssoenv"
    zsh_completion.install "completions/_ssoenv"
    fish_completion.install "completions/ssoenv.fish"
    man1.install "man/ssoenv.1"
  end

  def caveats
    <<~EOS
      Add the hook to your shell's rc file, for example in ~/.zshrc:
        eval "$(ssoenv hook zsh)"
      `ssoenv hook --help` lists every shell.
    EOS
  end

  test do
    assert_equal "ssoenv #{version}", shell_output("#{bin}/ssoenv --version").strip
    hook = shell_output("#{bin}/ssoenv hook zsh")
    assert_match "export zsh --before-command", hook
    assert_match "ssoenv", shell_output("#{bin}/ssoenv-core --version")
  end
end
