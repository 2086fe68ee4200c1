// Reference CG for benchmarks: g++ -O3 -march=native -DNDEBUG $(pkg-config --cflags eigen3) cg_reference.cpp -o cg_reference && ./cg_reference <N> <fixed|solve|spmv> [reps=5] [iters=200]
// Eigen (Debian libeigen3-dev) is optional: without it the eigen_* implementations are left out and the plain C ones still run.
// 2D Poisson 5-point (N x N interior grid, Dirichlet), CSR int32/float64, b = A*ones, x0 = 0. Single thread (no -fopenmp).
// Implementations, interleaved in one process: Eigen ConjugateGradient<SparseMatrix<double,RowMajor>,Lower|Upper,IdentityPreconditioner>,
// hand-written C CG (plain: separate spmv/dot/axpy loops), hand-written C CG (fused loops). Prints JSON lines.
// Iteration count convention everywhere: number of SpMVs inside the loop (= number of x updates); Eigen's iterations() is that minus 1.
#if __has_include(<Eigen/Sparse>)
#define HAVE_EIGEN 1
#include <Eigen/Sparse>
#include <Eigen/IterativeLinearSolvers>
#else
#define HAVE_EIGEN 0
#endif
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if HAVE_EIGEN
typedef Eigen::SparseMatrix<double, Eigen::RowMajor, int> SpMat;
typedef Eigen::VectorXd Vec;
#endif

struct CSR { int n; std::vector<int> rp, ci; std::vector<double> v; };

static CSR poisson2d(int N) {
  CSR A; A.n = N * N; A.rp.resize(A.n + 1); A.ci.reserve(5 * (size_t)A.n); A.v.reserve(5 * (size_t)A.n);
  A.rp[0] = 0;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++) {
      int row = j * N + i;
      if (j > 0) { A.ci.push_back(row - N); A.v.push_back(-1.0); }
      if (i > 0) { A.ci.push_back(row - 1); A.v.push_back(-1.0); }
      A.ci.push_back(row); A.v.push_back(4.0);
      if (i < N - 1) { A.ci.push_back(row + 1); A.v.push_back(-1.0); }
      if (j < N - 1) { A.ci.push_back(row + N); A.v.push_back(-1.0); }
      A.rp[row + 1] = (int)A.ci.size();
    }
  return A;
}

static inline double now_ms() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// ---- hand-written C kernels (plain loops, no intrinsics) ----
static void spmv_c(int n, const int *__restrict rp, const int *__restrict ci, const double *__restrict v, const double *__restrict x, double *__restrict y) {
  for (int i = 0; i < n; i++) {
    double s = 0.0;
    for (int k = rp[i]; k < rp[i + 1]; k++) s += v[k] * x[ci[k]];
    y[i] = s;
  }
}
static double dot_c(int n, const double *__restrict a, const double *__restrict b) { double s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
static void axpy_c(int n, double a, const double *__restrict x, double *__restrict y) { for (int i = 0; i < n; i++) y[i] += a * x[i]; }
static void xpay_c(int n, const double *__restrict x, double a, double *__restrict y) { for (int i = 0; i < n; i++) y[i] = x[i] + a * y[i]; }

// plain CG: q=Ap; pq=p.q; x+=a p; r-=a q; rr=r.r; p=r+b p   (SciPy-style stopping: ||r|| < rtol*||b|| tested before each iteration)
static int cg_c_plain(const CSR &A, const double *b, double *x, double rtol, int maxit) {
  int n = A.n; std::vector<double> r(n), p(n), q(n);
  for (int i = 0; i < n; i++) x[i] = 0.0;
  spmv_c(n, A.rp.data(), A.ci.data(), A.v.data(), x, q.data());
  for (int i = 0; i < n; i++) r[i] = b[i] - q[i];
  double atol = rtol * std::sqrt(dot_c(n, b, b));
  double rho = dot_c(n, r.data(), r.data());
  std::memcpy(p.data(), r.data(), sizeof(double) * n);
  for (int it = 0; it < maxit; it++) {
    if (std::sqrt(rho) < atol) return it;
    spmv_c(n, A.rp.data(), A.ci.data(), A.v.data(), p.data(), q.data());
    double alpha = rho / dot_c(n, p.data(), q.data());
    axpy_c(n, alpha, p.data(), x);
    axpy_c(n, -alpha, q.data(), r.data());
    double rhonew = dot_c(n, r.data(), r.data());
    xpay_c(n, r.data(), rhonew / rho, p.data());
    rho = rhonew;
  }
  return maxit;
}

// fused CG: (q=Ap, pq) in one pass; (x, r, rr) in one pass; p=r+b p
static int cg_c_fused(const CSR &A, const double *b, double *x, double rtol, int maxit) {
  int n = A.n; std::vector<double> rv(n), pv(n), qv(n);
  double *__restrict r = rv.data(), *__restrict p = pv.data(), *__restrict q = qv.data();
  const int *__restrict rp = A.rp.data(), *__restrict ci = A.ci.data(); const double *__restrict v = A.v.data();
  for (int i = 0; i < n; i++) x[i] = 0.0;
  spmv_c(n, rp, ci, v, x, q);
  for (int i = 0; i < n; i++) r[i] = b[i] - q[i];
  double atol = rtol * std::sqrt(dot_c(n, b, b));
  double rho = dot_c(n, r, r);
  std::memcpy(p, r, sizeof(double) * n);
  for (int it = 0; it < maxit; it++) {
    if (std::sqrt(rho) < atol) return it;
    double pq = 0.0;
    for (int i = 0; i < n; i++) {
      double s = 0.0;
      for (int k = rp[i]; k < rp[i + 1]; k++) s += v[k] * p[ci[k]];
      q[i] = s; pq += p[i] * s;
    }
    double alpha = rho / pq, rhonew = 0.0;
    for (int i = 0; i < n; i++) { x[i] += alpha * p[i]; double ri = r[i] - alpha * q[i]; r[i] = ri; rhonew += ri * ri; }
    double beta = rhonew / rho;
    for (int i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rho = rhonew;
  }
  return maxit;
}

static double relres(const CSR &A, const double *b, const double *x) {
  std::vector<double> y(A.n); spmv_c(A.n, A.rp.data(), A.ci.data(), A.v.data(), x, y.data());
  double s = 0, bb = 0; for (int i = 0; i < A.n; i++) { double d = b[i] - y[i]; s += d * d; bb += b[i] * b[i]; }
  return std::sqrt(s / bb);
}

static double median(std::vector<double> a) { std::sort(a.begin(), a.end()); size_t m = a.size() / 2; return a.size() % 2 ? a[m] : 0.5 * (a[m - 1] + a[m]); }

int main(int argc, char **argv) {
  if (argc < 3) { std::fprintf(stderr, "usage: %s N fixed|solve|spmv [reps] [iters]\n", argv[0]); return 2; }
  int N = std::atoi(argv[1]); std::string mode = argv[2];
  int reps = argc > 3 ? std::atoi(argv[3]) : 5; int fixedIters = argc > 4 ? std::atoi(argv[4]) : 200;
  std::string sel = argc > 5 ? argv[5] : "eigen_cg,c_cg_plain,c_cg_fused"; int off = argc > 6 ? std::atoi(argv[6]) : 0;
  CSR A = poisson2d(N); int n = A.n; long nnz = A.rp[n];
  std::vector<double> ones(n, 1.0), b(n), x(n);
  spmv_c(n, A.rp.data(), A.ci.data(), A.v.data(), ones.data(), b.data());
#if HAVE_EIGEN
  SpMat E(n, n); E.resizeNonZeros(nnz);
  std::memcpy(E.outerIndexPtr(), A.rp.data(), sizeof(int) * (n + 1));
  std::memcpy(E.innerIndexPtr(), A.ci.data(), sizeof(int) * nnz);
  std::memcpy(E.valuePtr(), A.v.data(), sizeof(double) * nnz);
  E.makeCompressed();
  Vec bE = Eigen::Map<Vec>(b.data(), n);
#else
  if (sel.find("eigen") != std::string::npos) sel = "c_cg_plain,c_cg_fused";
#endif

  const char *names[3] = {"eigen_cg", "c_cg_plain", "c_cg_fused"};
  auto run = [&](int which, double rtol, int maxit, int &iters, double &res) -> double {
    double t0 = 0, t1 = 0;
    if (which == 0) {
#if HAVE_EIGEN
      Eigen::ConjugateGradient<SpMat, Eigen::Lower | Eigen::Upper, Eigen::IdentityPreconditioner> cg;
      cg.compute(E); cg.setMaxIterations(maxit); cg.setTolerance(rtol);
      t0 = now_ms(); Vec xe = cg.solve(bE); t1 = now_ms();
      iters = (int)cg.iterations() + (cg.info() == Eigen::Success && rtol > 0 ? 1 : 0);
      std::memcpy(x.data(), xe.data(), sizeof(double) * n);
#else
      iters = 0;
#endif
    } else if (which == 1) { t0 = now_ms(); iters = cg_c_plain(A, b.data(), x.data(), rtol, maxit); t1 = now_ms(); }
    else { t0 = now_ms(); iters = cg_c_fused(A, b.data(), x.data(), rtol, maxit); t1 = now_ms(); }
    res = relres(A, b.data(), x.data());
    return t1 - t0;
  };

  if (mode == "fixed" || mode == "solve") {
    bool fixed = mode == "fixed";
    double rtol = fixed ? 0.0 : 1e-8; int maxit = fixed ? fixedIters : 100 * N + 1000;
    int it; double res;
    for (int w = HAVE_EIGEN ? 0 : 1; w < 3; w++) run(w, 0.0, 20, it, res);  // warm-up (untimed)
    for (int rep = 0; rep < reps; rep++)
      for (int k = 0; k < 3; k++) {
        int w = (k + rep + off) % 3;
        if (("," + sel + ",").find(std::string(",") + names[w] + ",") == std::string::npos) continue;
        double ms = run(w, rtol, maxit, it, res);
        std::printf("{\"impl\":\"%s\",\"lang\":\"cpp\",\"N\":%d,\"n\":%d,\"nnz\":%ld,\"mode\":\"%s\",\"rep\":%d,\"iters\":%d,\"ms_total\":%.4f,\"ms_per_iter\":%.6f,\"relres\":%.3e}\n",
                    names[w], N, n, nnz, mode.c_str(), rep, it, ms, ms / it, res);
        std::fflush(stdout);
      }
  } else if (mode == "spmv") {
    std::vector<double> xc(n), yc(n);
    for (int i = 0; i < n; i++) xc[i] = std::sin((double)i);
#if HAVE_EIGEN
    Vec xe = Eigen::Map<Vec>(xc.data(), n), ye(n);
#endif
    // batch so that each timed sample is >= ~2 ms
    int batch = std::max(1, (int)(2e6 / (double)nnz));
    std::vector<double> te, tc;
    int samples = std::max(reps, 31);
    for (int s = -3; s < samples; s++) {
      double t0 = now_ms();
#if HAVE_EIGEN
      for (int k = 0; k < batch; k++) ye.noalias() = E * xe;
#endif
      double t1 = now_ms();
      for (int k = 0; k < batch; k++) spmv_c(n, A.rp.data(), A.ci.data(), A.v.data(), xc.data(), yc.data()); double t2 = now_ms();
      if (s >= 0) { te.push_back((t1 - t0) / batch); tc.push_back((t2 - t1) / batch); }
    }
    double diff = 0;
#if HAVE_EIGEN
    for (int i = 0; i < n; i++) diff = std::max(diff, std::fabs(ye[i] - yc[i]));
    std::printf("{\"impl\":\"eigen_spmv\",\"lang\":\"cpp\",\"N\":%d,\"n\":%d,\"nnz\":%ld,\"mode\":\"spmv\",\"batch\":%d,\"samples\":%d,\"ms_median\":%.6f,\"ms_min\":%.6f}\n", N, n, nnz, batch, samples, median(te), *std::min_element(te.begin(), te.end()));
#endif
    std::printf("{\"impl\":\"c_spmv\",\"lang\":\"cpp\",\"N\":%d,\"n\":%d,\"nnz\":%ld,\"mode\":\"spmv\",\"batch\":%d,\"samples\":%d,\"ms_median\":%.6f,\"ms_min\":%.6f,\"maxdiff_vs_eigen\":%.2e}\n", N, n, nnz, batch, samples, median(tc), *std::min_element(tc.begin(), tc.end()), diff);
  } else { std::fprintf(stderr, "bad mode\n"); return 2; }
  return 0;
}
